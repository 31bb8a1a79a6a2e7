// The program behind gcc.trace (record.sh): g++ compiling this file, which pulls in a few standard
// headers and instantiates some templates.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

std::map<std::string, std::vector<int>> index_words(const std::vector<std::string>& words) {
  std::map<std::string, std::vector<int>> index;
  for (int i = 0; i < static_cast<int>(words.size()); ++i) index[words[i]].push_back(i);
  return index;
}

int main() {
  std::vector<std::string> words;
  for (int i = 0; i < 100; ++i) words.push_back(std::to_string(i % 17));
  std::sort(words.begin(), words.end());
  return static_cast<int>(index_words(words).size());
}
