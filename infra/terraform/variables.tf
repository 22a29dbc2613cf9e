variable "environment" {
  description = "Which environment this is: dev, staging or production. Must equal the Terraform workspace."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be dev, staging or production."
  }
}

variable "region" {
  description = "The Civo region of the cluster, e.g. LON1, FRA1, NYC1."
  type        = string
  default     = "LON1"
}

variable "kubernetes_version" {
  description = "The k3s version of the cluster (civo kubernetes versions); null takes Civo's current default."
  type        = string
  default     = null
}

variable "node_size" {
  description = "The instance size of the default node pool (civo kubernetes size)."
  type        = string
  default     = "g4s.kube.medium"
}

variable "node_count" {
  description = "Nodes in the default node pool; production needs at least 3 (NATS runs one server per node)."
  type        = number
  default     = 3

  validation {
    condition     = var.node_count >= 1
    error_message = "node_count must be at least 1."
  }
}

variable "extra_pool_size" {
  description = "The instance size of the optional second node pool for the services' load."
  type        = string
  default     = "g4s.kube.large"
}

variable "extra_pool_count" {
  description = "Nodes in the second node pool; 0 creates no second pool."
  type        = number
  default     = 0
}

variable "api_allowed_cidrs" {
  description = "The networks allowed to reach the Kubernetes API (port 6443): your office or VPN, never 0.0.0.0/0 in production."
  type        = list(string)
}

variable "web_allowed_cidrs" {
  description = "The networks allowed to reach the web ports 80 and 443 (the Istio ingress gateway)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "tags" {
  description = "Extra tags on the cluster, space separated by Civo."
  type        = list(string)
  default     = []
}
