# Mutation: no-dumpable-check
# Breaks: A non-dumpable target is read without CAP_SYS_PTRACE.
# Caught-by: eperm_not_dumpable
s/return get_dumpable(mm) == SUID_DUMP_USER ||/return true ||/
