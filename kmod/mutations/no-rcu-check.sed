# Mutation: no-rcu-check
# Breaks: The kfunc sleeps inside rcu_read_lock() (preemptible RCU: no trace in
#   preempt_count), in a bpf_for_each_map_elem() callback over a hash map.
# Caught-by: rcu_callback_refused
s/^\treturn preemptible() \&\& !rcu_preempt_depth();$/\treturn preemptible();/
