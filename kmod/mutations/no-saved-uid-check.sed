# Mutation: no-saved-uid-check
# Breaks: The target's saved uid is not compared (a setuid program that kept root).
# Caught-by: eperm_other_credentials
s/uid_eq(cred->uid, tcred->suid) \&\&/true \&\&/
