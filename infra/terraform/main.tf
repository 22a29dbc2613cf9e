# One Civo Kubernetes (k3s) cluster per environment, each in its own Terraform workspace:
#   terraform workspace select -or-create production
#   terraform apply -var-file=environments/production.tfvars
# The cluster gets its own private network and a firewall that opens only the Kubernetes API
# (to the networks you list) and the web ports.

locals {
  name = "glotixz-${var.environment}"
}

resource "terraform_data" "workspace_matches_environment" {
  input = var.environment

  lifecycle {
    precondition {
      condition     = terraform.workspace == var.environment
      error_message = "Select the workspace of this environment first: terraform workspace select -or-create ${var.environment}"
    }
  }
}

resource "civo_network" "cluster" {
  label = local.name
}

resource "civo_firewall" "cluster" {
  name                 = local.name
  network_id           = civo_network.cluster.id
  create_default_rules = false

  ingress_rule {
    label      = "kubernetes-api"
    protocol   = "tcp"
    port_range = "6443"
    cidr       = var.api_allowed_cidrs
    action     = "allow"
  }

  ingress_rule {
    label      = "http"
    protocol   = "tcp"
    port_range = "80"
    cidr       = var.web_allowed_cidrs
    action     = "allow"
  }

  ingress_rule {
    label      = "https"
    protocol   = "tcp"
    port_range = "443"
    cidr       = var.web_allowed_cidrs
    action     = "allow"
  }

  egress_rule {
    label      = "all"
    protocol   = "tcp"
    port_range = "1-65535"
    cidr       = ["0.0.0.0/0"]
    action     = "allow"
  }

  egress_rule {
    label      = "all-udp"
    protocol   = "udp"
    port_range = "1-65535"
    cidr       = ["0.0.0.0/0"]
    action     = "allow"
  }
}

resource "civo_kubernetes_cluster" "cluster" {
  name               = local.name
  cluster_type       = "k3s"
  kubernetes_version = var.kubernetes_version
  network_id         = civo_network.cluster.id
  firewall_id        = civo_firewall.cluster.id
  # Flannel with k3s's built-in network policy controller enforces the NetworkPolicies.
  cni = "flannel"
  # Istio's ingress gateway replaces Traefik; metrics-server (kept) feeds the HPAs.
  applications = "-traefik2-nodeport"
  tags         = join(" ", concat(["glotixz", var.environment], var.tags))

  pools {
    label      = "${local.name}-default"
    size       = var.node_size
    node_count = var.node_count
  }

  depends_on = [terraform_data.workspace_matches_environment]

  timeouts {
    create = "30m"
  }
}

resource "civo_kubernetes_node_pool" "extra" {
  count = var.extra_pool_count > 0 ? 1 : 0

  cluster_id = civo_kubernetes_cluster.cluster.id
  label      = "${local.name}-extra"
  size       = var.extra_pool_size
  node_count = var.extra_pool_count
}
