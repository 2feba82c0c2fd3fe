# Hetzner Cloud for R-Stat's Kubernetes cluster (installed on these servers by Kubespray, see README.md).
#
# State: remote, in an S3-compatible bucket (Hetzner Object Storage) that is made by hand once, before
# the first `terraform init` (it cannot hold the state of its own creation):
#
#   cp backend.hcl.example backend.hcl     # bucket, key, endpoint; credentials from the environment
#   export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
#   terraform init -backend-config=backend.hcl
terraform {
  required_version = ">= 1.6.0"

  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = "~> 1.52"
    }
    minio = {
      source  = "aminueza/minio"
      version = "~> 3.3"
    }
  }

  backend "s3" {}
}

provider "hcloud" {
  token = var.hcloud_token
}

# Hetzner Object Storage speaks S3; the MinIO provider manages buckets on any S3-compatible endpoint.
provider "minio" {
  minio_server   = "${var.location}.your-objectstorage.com"
  minio_user     = var.s3_access_key
  minio_password = var.s3_secret_key
  minio_region   = var.location
  minio_ssl      = true
}
