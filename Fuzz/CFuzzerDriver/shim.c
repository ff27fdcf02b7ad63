// Intentionally empty: SwiftPM needs one C source for a C target; the header is the point.
