# Mutation: uffd-any-mode
# Breaks: Every userfaultfd range is read with FOLL_NOWAIT, write-protect ones
#   too, which hold no read: a never-touched page there fails with -EFAULT where
#   process_vm_readv() reads zeroes.
# Caught-by: uffd_wp_reads
s/^\telse if (userfaultfd_missing(vma) || userfaultfd_minor(vma))$/\telse if (userfaultfd_armed(vma))/
