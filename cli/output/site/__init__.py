"""The public site of the dataset (`dprk site -o DIR`): static HTML and CSS, no server.

`build` gathers the pages, `pages` and `council` make what each page shows (records,
indexes, resolutions, Council members) from the selection layer, `render` fills the
Jinja2 templates kept as package data in `templates/` (every value escaped), `exports`
adds the CSV, SQLite and data-package downloads, and `publish` writes the folder:
only pages whose bytes changed, never outside it, never through a link, and removes
only pages it wrote before (its manifest says which).
"""
