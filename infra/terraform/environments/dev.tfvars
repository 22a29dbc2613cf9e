# A shared dev cluster: small and cheap. Laptops do not need one (skaffold on a local cluster).
environment = "dev"
region      = "LON1"
node_size   = "g4s.kube.small"
node_count  = 1
# Replace with your office or VPN network.
api_allowed_cidrs = ["0.0.0.0/0"]
