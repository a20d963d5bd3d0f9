"""Scripts that build the shipped catalog's demo artifacts from data the team wrote (see cards/data/)."""
