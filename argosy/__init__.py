"""argosy: the Argo stack on AWS as Pulumi code in Python."""
