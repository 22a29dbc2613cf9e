environment      = "production"
region           = "LON1"
node_size        = "g4s.kube.medium"
node_count       = 3
extra_pool_size  = "g4s.kube.large"
extra_pool_count = 2
# Replace with your office or VPN network.
api_allowed_cidrs = ["203.0.113.0/24"]
