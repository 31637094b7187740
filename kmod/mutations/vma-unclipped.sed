# Mutation: vma-unclipped
# Breaks: A batch is not clipped to the VMA it starts in: one that starts below a
#   userfaultfd range runs into it without FOLL_NOWAIT and waits for the handler.
# Caught-by: uffd_no_wait
s/^\tnr = min_t(long, nr, (vma->vm_end - start) >> PAGE_SHIFT);$//
