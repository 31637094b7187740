# Mutation: uffd-waits
# Breaks: A missing page of a userfaultfd range is faulted in: the read waits for the
#   target's handler, forever here.
# Caught-by: uffd_no_wait
s/if ((flags \& BPF_F_COPY_NOWAIT) || userfaultfd_armed(vma))/if (flags \& BPF_F_COPY_NOWAIT)/
