public enum ParquetPlaceholder {}
