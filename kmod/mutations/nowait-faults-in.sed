# Mutation: nowait-faults-in
# Breaks: BPF_F_COPY_NOWAIT faults pages in as without the flag, waiting for I/O.
# Caught-by: uffd_nowait_flag nowait_page_cache
s/if ((flags \& BPF_F_COPY_NOWAIT) || userfaultfd_armed(vma))/if (userfaultfd_armed(vma))/
