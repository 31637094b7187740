# Mutation: nowait-faults-in
# Breaks: BPF_F_COPY_NOWAIT faults pages in (FOLL_NOWAIT alone): a file page is
#   read in, synchronously, with the target's mmap_lock held.
# Caught-by: nowait_page_cache nowait_not_mapped
s/gup_flags = FOLL_NOWAIT | FOLL_NOFAULT;/gup_flags = FOLL_NOWAIT;/
