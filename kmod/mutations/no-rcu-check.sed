# Mutation: no-rcu-check
# Breaks: The kfunc sleeps inside rcu_read_lock(), in a bpf_for_each_map_elem()
#   callback over a hash map.
# Caught-by: rcu_callback_refused
s/^\t\t     rcu_preempt_depth())) {$/\t\t     0)) {/
s/^\tif (unlikely((IS_ENABLED(CONFIG_PREEMPT_COUNT) \&\& !preemptible()) ||$/\tif (unlikely(0 ||/
