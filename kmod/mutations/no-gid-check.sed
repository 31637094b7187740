# Mutation: no-gid-check
# Breaks: The caller's gid is not compared with the target's gids.
# Caught-by: eperm_other_credentials
s/gid_eq(cred->gid, tcred->\(e\|s\|\)gid)/true/g
