"""Pure logic of the neural-network builder: nothing here imports streamlit.

TensorFlow is imported only under ``builder.worker``, inside worker processes.
"""
