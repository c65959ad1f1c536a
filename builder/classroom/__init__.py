"""Teaching a class: class codes and teacher keys, guess limits, challenges and the class board."""
