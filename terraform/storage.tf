# Buckets on Hetzner Object Storage: PostgreSQL's base backups, WAL and logical dumps (rstat-backups), and
# Loki's chunks (rstat-logs). Object locking keeps a backup from being deleted by a compromised cluster
# before its retention ends. With create_buckets = false they are made by hand in the Cloud Console.
resource "minio_s3_bucket" "backups" {
  count          = var.create_buckets ? 1 : 0
  bucket         = "${local.prefix}-backups"
  acl            = "private"
  object_locking = true
}

resource "minio_s3_bucket" "logs" {
  count  = var.create_buckets ? 1 : 0
  bucket = "${local.prefix}-logs"
  acl    = "private"
}
