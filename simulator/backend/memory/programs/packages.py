"""Package managers: apt-get, apk, pip, npm."""
