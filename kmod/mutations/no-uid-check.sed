# Mutation: no-uid-check
# Breaks: The caller's uid is not compared with the target's uids.
# Caught-by: eperm_other_credentials
s/uid_eq(cred->uid, tcred->\(e\|s\|\)uid)/true/g
