# Mutation: one-batch-only
# Breaks: Only the first batch of 16 pages is copied, and 0 returned.
# Caught-by: read_multi_batch
s/^\t\tcond_resched();$/\t\tbreak;/
