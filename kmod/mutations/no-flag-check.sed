# Mutation: no-flag-check
# Breaks: Unknown flag bits are ignored instead of refused.
# Caught-by: einval_unknown_flags
s/if (unlikely(flags \& ~BPF_F_COPY_ALL))/if (unlikely(0 \&\& flags))/
