output "load_balancer_ipv4" {
  description = "Point the DNS names of R-Stat (api., admin., id., *.ops.) here."
  value       = hcloud_load_balancer.traefik.ipv4
}

output "load_balancer_ipv6" {
  description = "AAAA records of the same names."
  value       = hcloud_load_balancer.traefik.ipv6
}

output "network_id" {
  description = "The private network (the hcloud CSI driver and cloud controller need it)."
  value       = hcloud_network.main.id
}

output "buckets" {
  description = "The Object Storage buckets (empty when made by hand)."
  value       = concat(minio_s3_bucket.backups[*].bucket, minio_s3_bucket.logs[*].bucket)
}

output "kubespray_inventory" {
  description = "Kubespray's inventory: terraform output -raw kubespray_inventory > inventory/rstat/hosts.yaml"
  value = templatefile("${path.module}/templates/inventory.yaml.tftpl", {
    control_plane = [for s in hcloud_server.control_plane : { name = s.name, public_ip = s.ipv4_address, private_ip = one(s.network[*].ip) }]
    workers       = [for s in hcloud_server.worker : { name = s.name, public_ip = s.ipv4_address, private_ip = one(s.network[*].ip) }]
    lb_private_ip = hcloud_load_balancer_network.traefik.ip
  })
}
