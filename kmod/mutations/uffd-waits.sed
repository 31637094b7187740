# Mutation: uffd-waits
# Breaks: A missing page of a userfaultfd range is faulted in: the read waits for the
#   target's handler, forever here.
# Caught-by: uffd_no_wait
s/^\telse if (userfaultfd_missing(vma) || userfaultfd_minor(vma))$/\telse if (0)/
