locals {
  prefix = "${var.name}-${var.environment}"
  labels = {
    project     = var.name
    environment = var.environment
    managed-by  = "terraform"
  }
  zone = {
    fsn1 = "eu-central"
    nbg1 = "eu-central"
    hel1 = "eu-central"
  }[var.location]
  subnet_cidr = cidrsubnet(var.network_cidr, 8, 1) # 10.0.1.0/24: servers and the load balancer
  # Kubespray's node ports of Traefik (k8s/base/platform/argocd.yaml)
  traefik_http_port  = 30080
  traefik_https_port = 30443
}

# --- network -------------------------------------------------------------------------------------------

resource "hcloud_network" "main" {
  name     = local.prefix
  ip_range = var.network_cidr
  labels   = local.labels
}

resource "hcloud_network_subnet" "nodes" {
  network_id   = hcloud_network.main.id
  type         = "cloud"
  network_zone = local.zone
  ip_range     = local.subnet_cidr
}

# Only HTTP and HTTPS reach the load balancer from the internet (load balancers are not behind firewalls;
# the servers are): the servers accept SSH from the listed addresses and ICMP, nothing else from outside.
# Traffic inside the private network is not filtered by Hetzner firewalls.
resource "hcloud_firewall" "nodes" {
  name   = "${local.prefix}-nodes"
  labels = local.labels

  rule {
    description = "SSH from the operators and CI only"
    direction   = "in"
    protocol    = "tcp"
    port        = "22"
    source_ips  = var.ssh_allowed_cidrs
  }

  rule {
    description = "ping"
    direction   = "in"
    protocol    = "icmp"
    source_ips  = ["0.0.0.0/0", "::/0"]
  }

  apply_to {
    label_selector = "cluster=${local.prefix}"
  }
}

# --- servers -------------------------------------------------------------------------------------------

# spread: no two control-plane servers (or workers) on one physical host
resource "hcloud_placement_group" "control_plane" {
  name   = "${local.prefix}-control-plane"
  type   = "spread"
  labels = local.labels
}

resource "hcloud_placement_group" "workers" {
  name   = "${local.prefix}-workers"
  type   = "spread"
  labels = local.labels
}

resource "hcloud_server" "control_plane" {
  count              = var.control_plane_count
  name               = "${local.prefix}-cp-${count.index + 1}"
  server_type        = var.control_plane_type
  image              = var.image
  location           = var.location
  placement_group_id = hcloud_placement_group.control_plane.id
  user_data = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", {
    ssh_public_keys = var.ssh_public_keys
    volume_device   = ""
  })
  labels = merge(local.labels, { cluster = local.prefix, role = "control-plane" })

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  network {
    network_id = hcloud_network.main.id
    ip         = cidrhost(local.subnet_cidr, 10 + count.index)
  }

  lifecycle {
    ignore_changes = [user_data, image]
  }

  depends_on = [hcloud_network_subnet.nodes]
}

resource "hcloud_server" "worker" {
  count              = var.worker_count
  name               = "${local.prefix}-worker-${count.index + 1}"
  server_type        = var.worker_type
  image              = var.image
  location           = var.location
  placement_group_id = hcloud_placement_group.workers.id
  user_data = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", {
    ssh_public_keys = var.ssh_public_keys
    volume_device   = "/dev/disk/by-id/scsi-0HC_Volume_${hcloud_volume.worker[count.index].id}"
  })
  labels = merge(local.labels, { cluster = local.prefix, role = "worker" })

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  network {
    network_id = hcloud_network.main.id
    ip         = cidrhost(local.subnet_cidr, 20 + count.index)
  }

  lifecycle {
    ignore_changes = [user_data, image]
  }

  depends_on = [hcloud_network_subnet.nodes]
}

# --- volumes -------------------------------------------------------------------------------------------

# one per worker, for container images and logs (mounted at /var/lib/containerd by cloud-init); the data
# services' own volumes are made by the hcloud CSI driver in the cluster
resource "hcloud_volume" "worker" {
  count    = var.worker_count
  name     = "${local.prefix}-worker-${count.index + 1}"
  size     = var.worker_volume_size
  location = var.location
  format   = "ext4"
  labels   = local.labels
}

resource "hcloud_volume_attachment" "worker" {
  count     = var.worker_count
  volume_id = hcloud_volume.worker[count.index].id
  server_id = hcloud_server.worker[count.index].id
  automount = false
}

# --- load balancer -------------------------------------------------------------------------------------

# Traefik runs on every worker (a DaemonSet on node ports); the balancer sends 80 and 443 there over the
# private network with the PROXY protocol, so Traefik sees the clients' addresses
resource "hcloud_load_balancer" "traefik" {
  name               = "${local.prefix}-traefik"
  load_balancer_type = var.load_balancer_type
  location           = var.location
  labels             = local.labels
}

resource "hcloud_load_balancer_network" "traefik" {
  load_balancer_id = hcloud_load_balancer.traefik.id
  network_id       = hcloud_network.main.id
  ip               = cidrhost(local.subnet_cidr, 5)

  depends_on = [hcloud_network_subnet.nodes]
}

resource "hcloud_load_balancer_target" "workers" {
  type             = "label_selector"
  load_balancer_id = hcloud_load_balancer.traefik.id
  label_selector   = "cluster=${local.prefix},role=worker"
  use_private_ip   = true

  depends_on = [hcloud_load_balancer_network.traefik]
}

resource "hcloud_load_balancer_service" "http" {
  load_balancer_id = hcloud_load_balancer.traefik.id
  protocol         = "tcp"
  listen_port      = 80
  destination_port = local.traefik_http_port
  proxyprotocol    = true

  health_check {
    protocol = "tcp"
    port     = local.traefik_http_port
    interval = 10
    timeout  = 5
    retries  = 3
  }
}

resource "hcloud_load_balancer_service" "https" {
  load_balancer_id = hcloud_load_balancer.traefik.id
  protocol         = "tcp"
  listen_port      = 443
  destination_port = local.traefik_https_port
  proxyprotocol    = true

  health_check {
    protocol = "tcp"
    port     = local.traefik_https_port
    interval = 10
    timeout  = 5
    retries  = 3
  }
}
