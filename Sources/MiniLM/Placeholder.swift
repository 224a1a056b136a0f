public enum MiniLMPlaceholder {}
