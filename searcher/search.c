/* stub */ typedef int lede_placeholder;
