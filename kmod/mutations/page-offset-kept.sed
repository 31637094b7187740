# Mutation: page-offset-kept
# Breaks: The offset into the first page is used for every page.
# Caught-by: read_small_unaligned read_multi_batch read_secret
/^\t\t\toff = 0;$/d
