# Mutation: nowait-waits-for-mmap-lock
# Breaks: BPF_F_COPY_NOWAIT waits for the target's mmap_lock instead of trying it.
# Caught-by: nowait_lock_contention
s/if (!mmap_read_trylock(mm))/if (mmap_read_lock_killable(mm))/
