# Mutation: no-self-shortcut
# Breaks: A process reading itself goes through the credential and dumpable checks.
# Caught-by: read_self
s/if (mm == current->mm || same_thread_group(task, current))/if (0)/
