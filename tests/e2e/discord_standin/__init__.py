"""A Discord stand-in speaking the real protocol on 127.0.0.1: gateway, REST and the members of one guild."""
