"""The organizer and scorer console's page, script, service worker and app manifest, served by the admin app
under ``/console/`` (every piece of data it shows comes from the admin API, with the signed-in user's token)."""
