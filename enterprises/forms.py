"""Forms of 企业服务. Sections: calculator and criteria (matching), portal (profile,
preferences, requests, 线下帮办)."""

# --- calculator and criteria ---------------------------------------------------------------------

# --- portal: profile, preferences, requests, 线下帮办 ----------------------------------------------
