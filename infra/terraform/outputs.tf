output "cluster_name" {
  description = "The cluster's name in Civo."
  value       = civo_kubernetes_cluster.cluster.name
}

output "cluster_id" {
  description = "The cluster's Civo id."
  value       = civo_kubernetes_cluster.cluster.id
}

output "api_endpoint" {
  description = "The Kubernetes API URL."
  value       = civo_kubernetes_cluster.cluster.api_endpoint
}

output "firewall_id" {
  description = "The id of the cluster's firewall."
  value       = civo_firewall.cluster.id
}

output "kubeconfig" {
  description = "The cluster's kubeconfig: terraform output -raw kubeconfig > ~/.kube/glotixz-<env>.yaml"
  value       = civo_kubernetes_cluster.cluster.kubeconfig
  sensitive   = true
}
