# Mutation: no-zero-on-error
# Breaks: dst keeps what was copied before an error, and its 0xcc fill otherwise.
# Caught-by: efault_hole_later_batch esrch_no_such_pid einval_unknown_flags
s/^\tmemset(dst, 0, dst__sz);$/\t(void)0;/
