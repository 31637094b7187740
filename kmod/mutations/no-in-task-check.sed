# Mutation: no-in-task-check
# Breaks: The kfunc runs in softirq context (a bpf_timer callback), with the
#   credentials and pid namespace of whichever task was interrupted.
# Caught-by: timer_callback_refused
s/if (unlikely(!in_task() || (current->flags \& PF_KTHREAD)))/if (unlikely(current->flags \& PF_KTHREAD))/
