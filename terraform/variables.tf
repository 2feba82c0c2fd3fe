variable "hcloud_token" {
  description = "Hetzner Cloud API token (read/write) of the project; pass it as TF_VAR_hcloud_token, never in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.hcloud_token) == 64
    error_message = "A Hetzner Cloud API token has 64 characters."
  }
}

variable "s3_access_key" {
  description = "Access key of Hetzner Object Storage (backups, logs): TF_VAR_s3_access_key."
  type        = string
  sensitive   = true
}

variable "s3_secret_key" {
  description = "Secret key of Hetzner Object Storage: TF_VAR_s3_secret_key."
  type        = string
  sensitive   = true
}

variable "name" {
  description = "Prefix of every resource's name, and the cluster's name."
  type        = string
  default     = "rstat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "The name is 2 to 21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  description = "dev or prod: labels every resource, and names the buckets."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "The environment is dev or prod."
  }
}

variable "location" {
  description = "Hetzner location of the servers, volumes and load balancer (one location: the private network's zone follows it)."
  type        = string
  default     = "fsn1"

  validation {
    condition     = contains(["fsn1", "nbg1", "hel1"], var.location)
    error_message = "Use fsn1, nbg1 or hel1 (eu-central, where Object Storage is offered too)."
  }
}

variable "network_cidr" {
  description = "The private network; Traefik trusts the PROXY protocol from it (k8s/base/platform/argocd.yaml)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.network_cidr, 0)) && tonumber(split("/", var.network_cidr)[1]) <= 16
    error_message = "The network is an IPv4 CIDR of /16 or larger."
  }
}

variable "ssh_allowed_cidrs" {
  description = "Addresses allowed to reach SSH (the operators' and CI's); never the whole internet."
  type        = list(string)

  validation {
    condition     = length(var.ssh_allowed_cidrs) > 0 && alltrue([for c in var.ssh_allowed_cidrs : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)])
    error_message = "List at least one CIDR, and not 0.0.0.0/0 or ::/0."
  }
}

variable "ssh_public_keys" {
  description = "Public keys of the operators, installed for the deploy user (Kubespray connects with them)."
  type        = list(string)

  validation {
    condition     = length(var.ssh_public_keys) > 0 && alltrue([for k in var.ssh_public_keys : can(regex("^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) ", k))])
    error_message = "List at least one OpenSSH public key (ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa)."
  }
}

variable "image" {
  description = "Server image; Kubespray supports it."
  type        = string
  default     = "ubuntu-24.04"
}

variable "control_plane_count" {
  description = "Control-plane servers (etcd beside the API server): an odd number."
  type        = number
  default     = 3

  validation {
    condition     = contains([1, 3, 5], var.control_plane_count)
    error_message = "Run 1, 3 or 5 control-plane servers (etcd needs a majority)."
  }
}

variable "control_plane_type" {
  description = "Server type of the control plane."
  type        = string
  default     = "cpx31"
}

variable "worker_count" {
  description = "Worker servers: Kafka, PostgreSQL and ClickHouse spread three ways in prod."
  type        = number
  default     = 3

  validation {
    condition     = var.worker_count >= 1 && var.worker_count <= 10
    error_message = "Between 1 and 10 workers (a placement group spreads at most 10 servers)."
  }
}

variable "worker_type" {
  description = "Server type of the workers."
  type        = string
  default     = "cpx41"
}

variable "worker_volume_size" {
  description = "GB of the volume each worker gets for local data (container images, logs); the data services use CSI volumes."
  type        = number
  default     = 50

  validation {
    condition     = var.worker_volume_size >= 10 && var.worker_volume_size <= 10240
    error_message = "A Hetzner volume has 10 to 10240 GB."
  }
}

variable "load_balancer_type" {
  description = "Type of the load balancer in front of Traefik."
  type        = string
  default     = "lb11"

  validation {
    condition     = contains(["lb11", "lb21", "lb31"], var.load_balancer_type)
    error_message = "Use lb11, lb21 or lb31."
  }
}

variable "create_buckets" {
  description = "Create the backup and logs buckets on Hetzner Object Storage (false: made by hand, README)."
  type        = bool
  default     = true
}
