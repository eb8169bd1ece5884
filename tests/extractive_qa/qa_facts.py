"""A small, realistic extractive QA set: short factual paragraphs, three questions each (SQuAD style).

Answers are given as text; `squad_rows` finds their character offsets, so the offsets cannot drift from
the paragraphs when someone edits one.
"""

from __future__ import annotations

PARAGRAPHS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. It was designed "
        "by the engineering company of Gustave Eiffel and built between 1887 and 1889 as the entrance to the "
        "World's Fair. The tower is 330 metres tall.",
        [
            ("Whose engineering company designed the Eiffel Tower?", "Gustave Eiffel"),
            ("In which city is the Eiffel Tower?", "Paris"),
            ("How tall is the Eiffel Tower?", "330 metres"),
        ],
    ),
    (
        "Marie Curie was a Polish and naturalised-French physicist and chemist who conducted pioneering research "
        "on radioactivity. She was born in Warsaw in 1867. In 1903 she shared the Nobel Prize in Physics, and in "
        "1911 she won the Nobel Prize in Chemistry.",
        [
            ("Where was Marie Curie born?", "Warsaw"),
            ("In which year did Marie Curie win the Nobel Prize in Chemistry?", "1911"),
            ("What did Marie Curie research?", "radioactivity"),
        ],
    ),
    (
        "The Amazon River in South America is the largest river by discharge volume of water in the world. It "
        "flows about 6,400 kilometres from the Andes mountains to the Atlantic Ocean. Most of its basin lies in "
        "Brazil.",
        [
            ("How long is the Amazon River?", "6,400 kilometres"),
            ("Into which ocean does the Amazon River flow?", "Atlantic Ocean"),
            ("In which country does most of the Amazon basin lie?", "Brazil"),
        ],
    ),
    (
        "Python is a high-level programming language created by Guido van Rossum and first released in 1991. "
        "Its design emphasises code readability through significant indentation. The name comes from the "
        "British comedy group Monty Python.",
        [
            ("Who created Python?", "Guido van Rossum"),
            ("When was Python first released?", "1991"),
            ("Which comedy group is Python named after?", "Monty Python"),
        ],
    ),
    (
        "Mount Everest is Earth's highest mountain above sea level, located in the Himalayas on the border "
        "between Nepal and China. Its elevation is 8,849 metres. Edmund Hillary and Tenzing Norgay made the "
        "first confirmed ascent in 1953.",
        [
            ("How high is Mount Everest?", "8,849 metres"),
            ("Who made the first ascent of Mount Everest with Tenzing Norgay?", "Edmund Hillary"),
            ("In which year was Mount Everest first climbed?", "1953"),
        ],
    ),
    (
        "The Great Wall of China is a series of fortifications built across the historical northern borders of "
        "ancient Chinese states. The best-known sections were built during the Ming dynasty, which ruled from "
        "1368 to 1644. The wall protected the states against nomadic groups from the Eurasian Steppe.",
        [
            ("During which dynasty were the best-known sections of the Great Wall built?", "Ming dynasty"),
            ("In which year did the Ming dynasty begin to rule?", "1368"),
            ("Where did the nomadic groups come from?", "the Eurasian Steppe"),
        ],
    ),
    (
        "Alexander Graham Bell was granted the first United States patent for the telephone in 1876. Bell was "
        "born in Edinburgh, Scotland, and later moved to Canada and then to the United States, where he worked "
        "as a teacher of the deaf in Boston.",
        [
            ("Who was granted the first patent for the telephone?", "Alexander Graham Bell"),
            ("Where was Bell born?", "Edinburgh"),
            ("In which year was the telephone patent granted?", "1876"),
        ],
    ),
    (
        "Penicillin was discovered in 1928 by Alexander Fleming, a Scottish physician working at St Mary's "
        "Hospital in London. He noticed that a mould called Penicillium had killed the bacteria growing in one "
        "of his culture plates.",
        [
            ("Who discovered penicillin?", "Alexander Fleming"),
            ("When was penicillin discovered?", "1928"),
            ("In which city was Fleming's hospital?", "London"),
        ],
    ),
    (
        "Apollo 11 was the spaceflight that first landed humans on the Moon. Commander Neil Armstrong and pilot "
        "Buzz Aldrin landed the lunar module Eagle on 20 July 1969, while Michael Collins remained in orbit in "
        "the command module Columbia.",
        [
            ("Who was the commander of Apollo 11?", "Neil Armstrong"),
            ("What was the name of the lunar module?", "Eagle"),
            ("Who remained in orbit during the landing?", "Michael Collins"),
        ],
    ),
    (
        "The Sahara is the largest hot desert in the world, covering much of North Africa. It spans about 9.2 "
        "million square kilometres. Its highest peak is Emi Koussi, a volcano in Chad.",
        [
            ("How large is the Sahara?", "9.2 million square kilometres"),
            ("Which region does the Sahara cover?", "North Africa"),
            ("What is the highest peak of the Sahara?", "Emi Koussi"),
        ],
    ),
    (
        "William Shakespeare was an English playwright and poet, born in Stratford-upon-Avon in 1564. He wrote "
        "about 39 plays, including Hamlet, Macbeth and Romeo and Juliet. Many of his plays were performed at the "
        "Globe Theatre in London.",
        [
            ("Where was Shakespeare born?", "Stratford-upon-Avon"),
            ("How many plays did Shakespeare write?", "39"),
            ("At which theatre were many of his plays performed?", "Globe Theatre"),
        ],
    ),
    (
        "The Pacific Ocean is the largest and deepest of Earth's oceanic divisions. The explorer Ferdinand "
        "Magellan named it in 1521 because its waters seemed peaceful. Its deepest point, the Challenger Deep in "
        "the Mariana Trench, is about 10,900 metres below sea level.",
        [
            ("Who named the Pacific Ocean?", "Ferdinand Magellan"),
            ("What is the deepest point of the Pacific Ocean called?", "Challenger Deep"),
            ("In which year was the Pacific Ocean named?", "1521"),
        ],
    ),
    (
        "The Mona Lisa is a portrait painted by the Italian artist Leonardo da Vinci in the early sixteenth "
        "century. It has been on permanent display at the Louvre in Paris since 1797. The painting is believed "
        "to show Lisa Gherardini.",
        [
            ("Who painted the Mona Lisa?", "Leonardo da Vinci"),
            ("In which museum is the Mona Lisa displayed?", "Louvre"),
            ("Who is the painting believed to show?", "Lisa Gherardini"),
        ],
    ),
    (
        "Tokyo is the capital of Japan and one of the most populous cities in the world. It was formerly known "
        "as Edo and became the imperial capital in 1868. Tokyo hosted the Summer Olympic Games in 1964 and again "
        "in 2021.",
        [
            ("What was Tokyo formerly known as?", "Edo"),
            ("What is the capital of Japan?", "Tokyo"),
            ("When did Tokyo become the imperial capital?", "1868"),
        ],
    ),
    (
        "Charles Darwin was an English naturalist best known for his theory of evolution by natural selection. "
        "He sailed around the world on HMS Beagle from 1831 to 1836, and published On the Origin of Species in "
        "1859.",
        [
            ("On which ship did Darwin sail around the world?", "HMS Beagle"),
            ("When was On the Origin of Species published?", "1859"),
            ("What theory is Darwin known for?", "evolution by natural selection"),
        ],
    ),
    (
        "The Nile is a major river in northeastern Africa that flows north into the Mediterranean Sea. It is "
        "about 6,650 kilometres long. The Aswan High Dam, completed in 1970 in Egypt, controls its annual floods.",
        [
            ("Into which sea does the Nile flow?", "Mediterranean Sea"),
            ("How long is the Nile?", "6,650 kilometres"),
            ("Which dam controls the floods of the Nile?", "Aswan High Dam"),
        ],
    ),
    (
        "Johannes Gutenberg, a goldsmith from Mainz in Germany, introduced printing with movable metal type to "
        "Europe around 1440. His most famous work is the Gutenberg Bible, printed in the 1450s.",
        [
            ("Who introduced printing with movable type to Europe?", "Johannes Gutenberg"),
            ("Which city was Gutenberg from?", "Mainz"),
            ("What was Gutenberg's trade?", "goldsmith"),
        ],
    ),
    (
        "Antarctica is Earth's southernmost continent and contains the geographic South Pole. About 98 percent "
        "of it is covered by ice that averages 1.9 kilometres in thickness. The Antarctic Treaty, signed in "
        "1959, reserves the continent for peaceful scientific research.",
        [
            ("How much of Antarctica is covered by ice?", "98 percent"),
            ("When was the Antarctic Treaty signed?", "1959"),
            ("How thick is the Antarctic ice on average?", "1.9 kilometres"),
        ],
    ),
    (
        "Ludwig van Beethoven was a German composer and pianist born in Bonn in 1770. He moved to Vienna in his "
        "early twenties and lived there until his death. Despite becoming almost completely deaf, he composed "
        "nine symphonies.",
        [
            ("Where was Beethoven born?", "Bonn"),
            ("How many symphonies did Beethoven compose?", "nine"),
            ("To which city did Beethoven move?", "Vienna"),
        ],
    ),
    (
        "The World Wide Web was invented by the English computer scientist Tim Berners-Lee in 1989 while he was "
        "working at CERN near Geneva. The first website went online in 1991.",
        [
            ("Who invented the World Wide Web?", "Tim Berners-Lee"),
            ("Where was Tim Berners-Lee working when he invented the web?", "CERN"),
            ("When did the first website go online?", "1991"),
        ],
    ),
    (
        "RMS Titanic was a British passenger liner that sank in the North Atlantic Ocean on 15 April 1912 after "
        "striking an iceberg during her maiden voyage from Southampton to New York City. More than 1,500 people "
        "died.",
        [
            ("What did the Titanic strike?", "an iceberg"),
            ("From which port did the Titanic sail?", "Southampton"),
            ("How many people died when the Titanic sank?", "More than 1,500"),
        ],
    ),
    (
        "Lake Baikal in southern Siberia, Russia, is the deepest lake in the world, with a maximum depth of "
        "1,642 metres. It holds about 20 percent of the world's unfrozen fresh surface water. The lake is home to "
        "the Baikal seal, found nowhere else.",
        [
            ("How deep is Lake Baikal?", "1,642 metres"),
            ("In which country is Lake Baikal?", "Russia"),
            ("Which animal lives only in Lake Baikal?", "Baikal seal"),
        ],
    ),
    (
        "Isaac Newton was an English mathematician and physicist who formulated the laws of motion and universal "
        "gravitation. His book Principia was first published in 1687. He studied and later taught at Trinity "
        "College, Cambridge.",
        [
            ("When was Principia first published?", "1687"),
            ("Where did Newton study?", "Trinity College, Cambridge"),
            ("What did Newton formulate?", "the laws of motion and universal gravitation"),
        ],
    ),
    (
        "The Statue of Liberty is a copper statue on Liberty Island in New York Harbor. It was a gift from the "
        "people of France to the United States and was dedicated on 28 October 1886. The statue was designed by "
        "Frédéric Auguste Bartholdi.",
        [
            ("Who designed the Statue of Liberty?", "Frédéric Auguste Bartholdi"),
            ("Which country gave the Statue of Liberty to the United States?", "France"),
            ("What is the Statue of Liberty made of?", "copper"),
        ],
    ),
    (
        "Coffee is a drink prepared from roasted coffee beans. The earliest credible evidence of coffee drinking "
        "appears in Yemen in the fifteenth century. Today Brazil is the largest producer of coffee in the world.",
        [
            ("Which country is the largest producer of coffee?", "Brazil"),
            ("Where does the earliest evidence of coffee drinking appear?", "Yemen"),
            ("What is coffee prepared from?", "roasted coffee beans"),
        ],
    ),
    (
        "Galileo Galilei was an Italian astronomer born in Pisa in 1564. In 1610 he used a telescope to discover "
        "the four largest moons of Jupiter. He spent the last years of his life under house arrest near Florence.",
        [
            ("Where was Galileo born?", "Pisa"),
            ("What did Galileo discover in 1610?", "the four largest moons of Jupiter"),
            ("Near which city did Galileo spend his last years?", "Florence"),
        ],
    ),
    (
        "Canberra is the capital city of Australia. It was chosen as a compromise between Sydney and Melbourne, "
        "the two largest cities, and was designed by the American architects Walter Burley Griffin and Marion "
        "Mahony Griffin. Parliament first met there in 1927.",
        [
            ("What is the capital of Australia?", "Canberra"),
            ("When did Parliament first meet in Canberra?", "1927"),
            ("Between which cities was Canberra chosen as a compromise?", "Sydney and Melbourne"),
        ],
    ),
    (
        "The double-helix structure of DNA was described in 1953 by James Watson and Francis Crick at the "
        "University of Cambridge. Their work relied on X-ray images made by Rosalind Franklin at King's College "
        "London.",
        [
            ("When was the structure of DNA described?", "1953"),
            ("Whose X-ray images did Watson and Crick rely on?", "Rosalind Franklin"),
            ("At which university did Watson and Crick work?", "University of Cambridge"),
        ],
    ),
    (
        "Mount Vesuvius is a volcano on the Gulf of Naples in Italy. Its eruption in the year 79 buried the "
        "Roman cities of Pompeii and Herculaneum under ash. It last erupted in 1944.",
        [
            ("Which cities did the eruption of Vesuvius bury?", "Pompeii and Herculaneum"),
            ("When did Vesuvius last erupt?", "1944"),
            ("In which country is Mount Vesuvius?", "Italy"),
        ],
    ),
    (
        "Orville and Wilbur Wright made the first controlled, sustained flight of a powered aircraft on 17 "
        "December 1903 near Kitty Hawk, North Carolina. Before building aircraft, the brothers ran a bicycle "
        "shop in Dayton, Ohio.",
        [
            ("Near which town did the first powered flight take place?", "Kitty Hawk"),
            ("What business did the Wright brothers run?", "a bicycle shop"),
            ("In which city was the Wright brothers' shop?", "Dayton"),
        ],
    ),
    (
        "Honey bees live in colonies ruled by a single queen, who can lay up to 2,000 eggs a day. Worker bees "
        "collect nectar from flowers and turn it into honey, which is stored in wax cells in the hive.",
        [
            ("How many eggs can a queen bee lay in a day?", "up to 2,000"),
            ("What do worker bees collect from flowers?", "nectar"),
            ("Where is honey stored?", "wax cells in the hive"),
        ],
    ),
    (
        "Chess is a board game for two players played on a board of 64 squares. The modern rules developed in "
        "southern Europe in the fifteenth century. The first official World Chess Champion was Wilhelm Steinitz, "
        "who won the title in 1886.",
        [
            ("How many squares does a chess board have?", "64"),
            ("Who was the first official World Chess Champion?", "Wilhelm Steinitz"),
            ("Where did the modern rules of chess develop?", "southern Europe"),
        ],
    ),
    (
        "Wolfgang Amadeus Mozart was born in Salzburg in 1756 and began composing at the age of five. He wrote "
        "more than 600 works, including the opera The Magic Flute. He died in Vienna in 1791 at the age of 35.",
        [
            ("Where was Mozart born?", "Salzburg"),
            ("At what age did Mozart begin composing?", "five"),
            ("When did Mozart die?", "1791"),
        ],
    ),
    (
        "The Panama Canal is an artificial waterway in Panama that connects the Atlantic Ocean with the Pacific "
        "Ocean. The United States completed the canal in 1914. Ships pass through locks that lift them 26 metres "
        "above sea level to Gatun Lake.",
        [
            ("When was the Panama Canal completed?", "1914"),
            ("How high do the locks of the Panama Canal lift ships?", "26 metres"),
            ("To which lake do the locks lift ships?", "Gatun Lake"),
        ],
    ),
    (
        "Albert Einstein was a German-born theoretical physicist who developed the theory of relativity. He was "
        "born in Ulm in 1879 and received the 1921 Nobel Prize in Physics for his explanation of the "
        "photoelectric effect.",
        [
            ("Where was Einstein born?", "Ulm"),
            ("Which theory did Einstein develop?", "the theory of relativity"),
            ("What did Einstein explain to win the Nobel Prize?", "the photoelectric effect"),
        ],
    ),
    (
        "Iceland is a Nordic island country in the North Atlantic Ocean, with a population of about 380,000. Its "
        "capital and largest city is Reykjavík. The Icelandic parliament, the Althing, was founded in 930 and is "
        "one of the oldest in the world.",
        [
            ("What is the capital of Iceland?", "Reykjavík"),
            ("What is the Icelandic parliament called?", "the Althing"),
            ("When was the Althing founded?", "930"),
        ],
    ),
    (
        "Tea is an aromatic drink made by pouring hot water over the cured leaves of Camellia sinensis, an "
        "evergreen shrub native to East Asia. After water, it is the most widely consumed drink in the world. "
        "India and China are its largest producers.",
        [
            ("From which plant is tea made?", "Camellia sinensis"),
            ("Where is the tea plant native to?", "East Asia"),
            ("Which countries are the largest producers of tea?", "India and China"),
        ],
    ),
    (
        "The Colosseum is an oval amphitheatre in the centre of Rome, Italy. Construction began under the "
        "emperor Vespasian in 72 and was completed in 80 under his son Titus. It could hold an estimated 50,000 "
        "spectators.",
        [
            ("Under which emperor did construction of the Colosseum begin?", "Vespasian"),
            ("How many spectators could the Colosseum hold?", "50,000"),
            ("Under whom was the Colosseum completed?", "Titus"),
        ],
    ),
    (
        "Photosynthesis is the process by which plants use sunlight, water and carbon dioxide to make glucose and "
        "release oxygen. It takes place mainly in the chloroplasts of leaf cells, which contain the green pigment "
        "chlorophyll.",
        [
            ("Which gas do plants release during photosynthesis?", "oxygen"),
            ("Where does photosynthesis mainly take place?", "the chloroplasts of leaf cells"),
            ("What is the green pigment in leaf cells called?", "chlorophyll"),
        ],
    ),
    (
        "Nelson Mandela was a South African anti-apartheid leader who spent 27 years in prison, many of them on "
        "Robben Island. After his release in 1990 he became the country's first black president in 1994.",
        [
            ("How many years did Mandela spend in prison?", "27 years"),
            ("When did Mandela become president?", "1994"),
            ("On which island was Mandela imprisoned?", "Robben Island"),
        ],
    ),
    (
        "The Berlin Wall divided the city of Berlin from 1961 to 1989. It was built by the German Democratic "
        "Republic to stop people from fleeing to West Berlin. The wall fell on 9 November 1989, and Germany "
        "was reunified in 1990.",
        [
            ("When was the Berlin Wall built?", "1961"),
            ("Which state built the Berlin Wall?", "German Democratic Republic"),
            ("When was Germany reunified?", "1990"),
        ],
    ),
    (
        "Big Ben is the nickname of the Great Bell of the clock at the north end of the Palace of Westminster "
        "in London. The tower, completed in 1859, was renamed Elizabeth Tower in 2012 to mark the Diamond "
        "Jubilee of Queen Elizabeth II.",
        [
            ("What is Big Ben the nickname of?", "the Great Bell"),
            ("When was the clock tower completed?", "1859"),
            ("What was the clock tower renamed?", "Elizabeth Tower"),
        ],
    ),
    (
        "Machu Picchu is a fifteenth-century Inca citadel in the Andes mountains of southern Peru. It was "
        "probably built for the Inca emperor Pachacuti. The American explorer Hiram Bingham brought it to "
        "international attention in 1911.",
        [
            ("In which country is Machu Picchu?", "Peru"),
            ("For which emperor was Machu Picchu probably built?", "Pachacuti"),
            ("Who brought Machu Picchu to international attention?", "Hiram Bingham"),
        ],
    ),
    (
        "Thomas Edison was an American inventor who developed a long-lasting incandescent light bulb in 1879. "
        "He also invented the phonograph and founded a research laboratory in Menlo Park, New Jersey. He held "
        "more than 1,000 patents.",
        [
            ("When did Edison develop his light bulb?", "1879"),
            ("Where was Edison's research laboratory?", "Menlo Park"),
            ("How many patents did Edison hold?", "more than 1,000"),
        ],
    ),
    (
        "The Taj Mahal is a white marble mausoleum on the bank of the Yamuna river in Agra, India. It was "
        "commissioned in 1632 by the Mughal emperor Shah Jahan to house the tomb of his wife Mumtaz Mahal.",
        [
            ("Who commissioned the Taj Mahal?", "Shah Jahan"),
            ("In which city is the Taj Mahal?", "Agra"),
            ("What is the Taj Mahal made of?", "white marble"),
        ],
    ),
    (
        "The Hubble Space Telescope was launched into low Earth orbit in 1990 aboard the Space Shuttle "
        "Discovery. It is named after the astronomer Edwin Hubble. Astronauts repaired and upgraded it during "
        "five servicing missions.",
        [
            ("When was the Hubble Space Telescope launched?", "1990"),
            ("Which shuttle carried the Hubble Space Telescope into orbit?", "Space Shuttle Discovery"),
            ("How many servicing missions did the telescope receive?", "five"),
        ],
    ),
    (
        "Greenland is the world's largest island and an autonomous territory within the Kingdom of Denmark. "
        "Its capital is Nuuk. About 80 percent of the island is covered by an ice sheet.",
        [
            ("What is the capital of Greenland?", "Nuuk"),
            ("To which kingdom does Greenland belong?", "Denmark"),
            ("How much of Greenland is covered by ice?", "80 percent"),
        ],
    ),
    (
        "The Great Pyramid of Giza is the oldest and largest of the three pyramids at Giza, near Cairo in "
        "Egypt. It was built for the pharaoh Khufu around 2560 BC and was the tallest structure made by "
        "humans for more than 3,800 years.",
        [
            ("For which pharaoh was the Great Pyramid built?", "Khufu"),
            ("Near which city is Giza?", "Cairo"),
            ("For how long was the Great Pyramid the tallest human-made structure?", "more than 3,800 years"),
        ],
    ),
    (
        "Guglielmo Marconi was an Italian inventor known for his work on long-distance radio transmission. In "
        "1901 he sent the first radio signal across the Atlantic Ocean, from Cornwall to Newfoundland. He "
        "shared the Nobel Prize in Physics in 1909.",
        [
            ("What was Marconi known for?", "long-distance radio transmission"),
            ("When did Marconi send a radio signal across the Atlantic?", "1901"),
            ("Where did the first transatlantic radio signal arrive?", "Newfoundland"),
        ],
    ),
    (
        "Mount Kilimanjaro is a dormant volcano in Tanzania and the highest mountain in Africa, rising 5,895 "
        "metres above sea level. It has three volcanic cones: Kibo, Mawenzi and Shira.",
        [
            ("In which country is Mount Kilimanjaro?", "Tanzania"),
            ("How high is Mount Kilimanjaro?", "5,895 metres"),
            ("What are the volcanic cones of Kilimanjaro?", "Kibo, Mawenzi and Shira"),
        ],
    ),
    (
        "Ada Lovelace was an English mathematician who worked with Charles Babbage on his proposed mechanical "
        "computer, the Analytical Engine. In 1843 she published the first algorithm intended to be carried "
        "out by such a machine.",
        [
            ("With whom did Ada Lovelace work?", "Charles Babbage"),
            ("What was Babbage's machine called?", "the Analytical Engine"),
            ("When did Ada Lovelace publish her algorithm?", "1843"),
        ],
    ),
    (
        "Venice is a city in northeastern Italy built on a group of 118 small islands separated by canals and "
        "linked by over 400 bridges. Its best-known waterway is the Grand Canal, and its main square is "
        "Piazza San Marco.",
        [
            ("On how many islands is Venice built?", "118"),
            ("What is the best-known waterway of Venice?", "the Grand Canal"),
            ("What is the main square of Venice?", "Piazza San Marco"),
        ],
    ),
    (
        "Magna Carta is a royal charter of rights agreed to by King John of England at Runnymede, near "
        "Windsor, on 15 June 1215. It promised the protection of church rights and limits on feudal payments "
        "to the Crown.",
        [
            ("Which king agreed to Magna Carta?", "King John"),
            ("Where was Magna Carta agreed?", "Runnymede"),
            ("In which year was Magna Carta agreed?", "1215"),
        ],
    ),
    (
        "The Danube is the second-longest river in Europe after the Volga. It rises in the Black Forest in "
        "Germany and flows about 2,850 kilometres to the Black Sea, passing through four capital cities, "
        "including Vienna and Budapest.",
        [
            ("Which river in Europe is longer than the Danube?", "the Volga"),
            ("Where does the Danube rise?", "the Black Forest"),
            ("Into which sea does the Danube flow?", "Black Sea"),
        ],
    ),
    (
        "Edward Jenner was an English physician who developed the first vaccine, against smallpox, in 1796. "
        "He used material from cowpox sores to protect a boy named James Phipps. Smallpox was declared "
        "eradicated in 1980.",
        [
            ("Against which disease was the first vaccine developed?", "smallpox"),
            ("Who received Jenner's first vaccine?", "James Phipps"),
            ("When was smallpox declared eradicated?", "1980"),
        ],
    ),
    (
        "The Sydney Opera House is a performing arts centre on Sydney Harbour in Australia. It was designed "
        "by the Danish architect Jørn Utzon and opened in 1973. Its roof is made of a series of precast "
        "concrete shells.",
        [
            ("Who designed the Sydney Opera House?", "Jørn Utzon"),
            ("When did the Sydney Opera House open?", "1973"),
            ("What is the roof of the Sydney Opera House made of?", "precast concrete shells"),
        ],
    ),
    (
        "The first modern Olympic Games were held in Athens in 1896, organised by the International Olympic "
        "Committee founded by Pierre de Coubertin. About 240 athletes from 14 nations took part.",
        [
            ("Where were the first modern Olympic Games held?", "Athens"),
            ("Who founded the International Olympic Committee?", "Pierre de Coubertin"),
            ("How many nations took part in the first modern Olympic Games?", "14"),
        ],
    ),
    (
        "Mars is the fourth planet from the Sun. It is often called the Red Planet because of the iron oxide "
        "on its surface. Its two small moons are Phobos and Deimos, and its largest volcano, Olympus Mons, is "
        "the tallest known in the Solar System.",
        [
            ("Why is Mars called the Red Planet?", "the iron oxide on its surface"),
            ("What are the moons of Mars?", "Phobos and Deimos"),
            ("What is the largest volcano on Mars?", "Olympus Mons"),
        ],
    ),
    (
        "Roald Amundsen was a Norwegian explorer who led the first expedition to reach the South Pole, "
        "arriving on 14 December 1911. His team travelled with sled dogs and beat the British expedition of "
        "Robert Falcon Scott by about five weeks.",
        [
            ("Who led the first expedition to reach the South Pole?", "Roald Amundsen"),
            ("Whose expedition did Amundsen beat?", "Robert Falcon Scott"),
            ("How did Amundsen's team travel?", "with sled dogs"),
        ],
    ),
    (
        "The Rosetta Stone is a granite slab inscribed with a decree in three scripts: Egyptian hieroglyphs, "
        "Demotic and ancient Greek. French soldiers found it in 1799, and Jean-François Champollion used it "
        "to decipher hieroglyphs in 1822. It is kept in the British Museum.",
        [
            ("Where is the Rosetta Stone kept?", "the British Museum"),
            ("Who deciphered hieroglyphs using the Rosetta Stone?", "Jean-François Champollion"),
            ("When was the Rosetta Stone found?", "1799"),
        ],
    ),
]


def squad_rows(paragraphs: list[tuple[str, list[tuple[str, str]]]]) -> list[dict]:
    """One SQuAD-style row per question; answer_start is the answer's first occurrence in the paragraph."""
    rows = []
    for context, questions in paragraphs:
        for question, answer in questions:
            start = context.find(answer)
            assert start >= 0, (answer, context)
            rows.append(
                {"context": context, "question": question, "answers": {"text": [answer], "answer_start": [start]}}
            )
    return rows


# One more question for each of the first 48 paragraphs (the training ones): with so little data, more
# questions per paragraph teach the model to read the question better than more epochs do.
EXTRA_QUESTIONS: list[tuple[str, str]] = [
    ("Between which years was the Eiffel Tower built?", "1887 and 1889"),
    ("When was Marie Curie born?", "1867"),
    ("From which mountains does the Amazon River flow?", "Andes"),
    ("What does the design of Python emphasise?", "code readability"),
    ("In which mountain range is Mount Everest?", "Himalayas"),
    ("When did the Ming dynasty stop ruling?", "1644"),
    ("In which city did Bell work as a teacher of the deaf?", "Boston"),
    ("What was the mould called?", "Penicillium"),
    ("When did Apollo 11 land on the Moon?", "20 July 1969"),
    ("In which country is Emi Koussi?", "Chad"),
    ("When was Shakespeare born?", "1564"),
    ("How deep is the Challenger Deep?", "10,900 metres"),
    ("Since when has the Mona Lisa been displayed at the Louvre?", "1797"),
    ("When did Tokyo first host the Summer Olympic Games?", "1964"),
    ("When did Darwin's voyage begin?", "1831"),
    ("When was the Aswan High Dam completed?", "1970"),
    ("What is Gutenberg's most famous work?", "Gutenberg Bible"),
    ("Which geographic point does Antarctica contain?", "South Pole"),
    ("When was Beethoven born?", "1770"),
    ("Near which city is CERN?", "Geneva"),
    ("When did the Titanic sink?", "15 April 1912"),
    ("In which region of Russia is Lake Baikal?", "southern Siberia"),
    ("What was the name of Newton's book?", "Principia"),
    ("On which island is the Statue of Liberty?", "Liberty Island"),
    ("In which century does coffee drinking first appear?", "fifteenth century"),
    ("What did Galileo use to discover the moons of Jupiter?", "a telescope"),
    ("Who designed Canberra?", "Walter Burley Griffin and Marion Mahony Griffin"),
    ("Where did Rosalind Franklin work?", "King's College London"),
    ("On which gulf is Mount Vesuvius?", "Gulf of Naples"),
    ("When did the Wright brothers make the first powered flight?", "17 December 1903"),
    ("Who rules a honey bee colony?", "a single queen"),
    ("When did Wilhelm Steinitz win the title?", "1886"),
    ("How many works did Mozart write?", "more than 600"),
    ("Who completed the Panama Canal?", "The United States"),
    ("When was Einstein born?", "1879"),
    ("What is the population of Iceland?", "about 380,000"),
    ("What is poured over the leaves to make tea?", "hot water"),
    ("In which city is the Colosseum?", "Rome"),
    ("What do plants make during photosynthesis?", "glucose"),
    ("When was Mandela released from prison?", "1990"),
    ("When did the Berlin Wall fall?", "9 November 1989"),
    ("When was the clock tower renamed?", "2012"),
    ("In which mountains is Machu Picchu?", "Andes mountains"),
    ("What else did Edison invent?", "the phonograph"),
    ("On which river is the Taj Mahal?", "Yamuna"),
    ("After whom is the Hubble Space Telescope named?", "Edwin Hubble"),
    ("What is the world's largest island?", "Greenland"),
    ("When was the Great Pyramid built?", "around 2560 BC"),
]


def training_paragraphs() -> list[tuple[str, list[tuple[str, str]]]]:
    """The first 48 paragraphs with four questions each."""
    return [
        (context, [*questions, extra]) for (context, questions), extra in zip(PARAGRAPHS, EXTRA_QUESTIONS, strict=False)
    ]
