/* placeholder until the store lands */ typedef int cp__node_unit;
