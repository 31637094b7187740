# Mutation: no-perfmon-check
# Breaks: No CAP_PERFMON (or CAP_SYS_ADMIN) asked of the caller.
# Caught-by: eperm_no_perfmon
s/if (!perfmon_capable())/if (0)/
