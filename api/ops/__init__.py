"""The operations page of the admin app: scrapes of each process's metrics, the shared panels evaluated over them."""
