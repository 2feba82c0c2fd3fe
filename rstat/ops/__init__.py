"""Operations of a local installation: the stack of services, migrations, and the supervisor of ``rstat up``."""
