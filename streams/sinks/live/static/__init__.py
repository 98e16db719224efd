"""Static assets of the live page (HTML, JS, CSS), served by ``warta web``."""
