# Mutation: no-kthread-check
# Breaks: The kfunc runs in a bpf_wq callback's kworker (6.10+), whose
#   credentials are the kernel's own: any fd holder reads any process.
# Caught-by: wq_callback_refused
s/if (unlikely(!in_task() || (current->flags \& PF_KTHREAD)))/if (unlikely(!in_task()))/
