"""Views of the record for people and tools: descriptions, agreement and overview pages, catalogue,
timeline, explorer, search, labels, citations, VoID, exports.
"""
