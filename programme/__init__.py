"""programme: film festival content and layouts to print-ready PDFs."""

__version__ = "0.1.0"
