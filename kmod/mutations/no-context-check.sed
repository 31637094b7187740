# Mutation: no-context-check
# Breaks: The kfunc runs in softirq context (a bpf_timer callback), with the
#   credentials and pid namespace of whichever task was interrupted, and sleeps
#   there.
# Caught-by: timer_callback_refused
s/^\tif (!in_task() || (current->flags \& PF_KTHREAD))$/\tif (current->flags \& PF_KTHREAD)/
s/^\treturn preemptible() \&\& !rcu_preempt_depth();$/\treturn !rcu_preempt_depth();/
