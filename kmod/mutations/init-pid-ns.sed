# Mutation: init-pid-ns
# Breaks: The pid is looked up in the initial pid namespace, not the caller's.
# Caught-by: pid_namespace
s/ns = task_active_pid_ns(current);/ns = \&init_pid_ns;/
