// vramest: how much GPU memory does this model need, and what does it fit on?
#include <iostream>

#include "app.hpp"

int main(int argc, char** argv) { return vramest::shell::run_app(argc, argv, std::cout, std::cerr); }
