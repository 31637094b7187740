# Mutation: no-kthread-check
# Breaks: The kfunc runs in a bpf_wq callback's kworker (6.10+), whose
#   credentials are the kernel's: any fd holder reads any process.
# Kernel: patched
# Caught-by: wq_callback_refused
s/^\tif (!in_task() || (current->flags \& PF_KTHREAD))$/\tif (!in_task())/
